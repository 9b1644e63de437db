{
  cpu: '256',
  memory: '512',
  container:: { name: 'job', essential: true, command: ['{{ env `JOB_ARG` `--all` }}'] },
}
