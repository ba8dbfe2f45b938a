export const name = 'node';
