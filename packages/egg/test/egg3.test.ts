import { describeEggPlugin } from './scenarios';

describeEggPlugin('egg3');
