'use strict';

module.exports = (app) => {
  app.router.get('/hello', async (ctx) => {
    ctx.body = 'hello world';
  });
};
