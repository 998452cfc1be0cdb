import base, { readsEnvironment } from '../../eslint.config.mjs';

export default [...base, readsEnvironment];
