'use strict';
// Variant "bare": egg hello-world, no tracing.
require('./_egg-app')
  .serveEgg()
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
