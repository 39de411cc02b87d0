import base, { nodeFreeSources } from '../../eslint.config.mjs';

export default [...base, ...nodeFreeSources];
