local base = import 'base.libsonnet';
base {
  family: 'job',
  containerDefinitions: [base.container { image: 'registry.example/job:' + }],
}
