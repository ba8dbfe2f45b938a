export const name = 'controllers';
