/**
 * The rooms of the house (STYLE.md): apps import libs, never each other (the all-in-one
 * `tracker` may host other apps' modules through tracker.features.ts only); libs never import
 * apps; libs/contracts imports nothing of ours; kafkajs lives in libs/kafka only.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-app-to-other-app',
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/tracker/src/tracker\\.features\\.ts$' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'tracker-hosts-modules-only',
      severity: 'error',
      from: { path: '^apps/tracker/src/tracker\\.features\\.ts$' },
      to: { path: '^apps/(?!tracker/)[^/]+/', pathNot: '^apps/[^/]+/src/[^/]+\\.module\\.ts$' },
    },
    {
      name: 'no-lib-to-app',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'contracts-stand-alone',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(apps|libs/(?!contracts/))' },
    },
    {
      name: 'kafkajs-only-in-libs-kafka',
      severity: 'error',
      from: { pathNot: '^libs/kafka/' },
      to: { path: 'node_modules/kafkajs/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '(^|/)(dist|node_modules|\\.data)/' },
  },
};
