export * from './address-policy';
export * from './destination-rules';
export * from './destination-templates';
export * from './http-sender';
export * from './rendered-request';
export * from './reserved-headers';
export * from './secret-masking';
export * from './template-macros';
