'use strict';
// Variant "bare": express hello-world, no tracing.
const { serve } = require('../common');

serve(require('express'));
