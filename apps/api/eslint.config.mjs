import base, { busOnlyNats } from '../../eslint.config.mjs';

export default [...base, ...busOnlyNats];
