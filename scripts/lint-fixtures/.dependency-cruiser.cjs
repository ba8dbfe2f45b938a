// The project's layer rules, applied to the fixture tree beside this file (no TypeScript paths here).
const project = require('../../.dependency-cruiser.cjs');
module.exports = { forbidden: project.forbidden, options: { doNotFollow: project.options.doNotFollow } };
