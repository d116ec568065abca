'use strict';
// The request middleware; the app boot puts it first in config.coreMiddleware.
module.exports = (_options, app) => require('@sofa-tracer/egg').eggServerMiddleware(app);
