import { describeEggPlugin } from './scenarios';

describeEggPlugin('egg4');
