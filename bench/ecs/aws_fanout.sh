#!/usr/bin/env bash
# N tasks with the AWS CLI, as a user would script it: `aws ecs run-task --count 10`
# per batch, one after the other, then `aws ecs wait tasks-stopped` per 100 tasks
# (the waiter's limit), one after the other. Exits 0 once every task stopped.
#
#   bench/ecs/aws_fanout.sh ENDPOINT CLUSTER TASKDEF SUBNET SECURITY_GROUP N
#
# The AWS CLI comes from PATH (scripts/bench installs it from PyPI when missing);
# credentials and region from the environment.
set -euo pipefail
[ $# -eq 6 ] || { echo "usage: $0 ENDPOINT CLUSTER TASKDEF SUBNET SECURITY_GROUP N" >&2; exit 2; }
endpoint=$1 cluster=$2 taskdef=$3 subnet=$4 group=$5 n=$6

arns=()
launched=0
while [ "$launched" -lt "$n" ]; do
    count=$(( n - launched < 10 ? n - launched : 10 ))
    # shellcheck disable=SC2207  # ARNs have no spaces
    batch=($(aws ecs run-task --endpoint-url "$endpoint" --cluster "$cluster" \
        --task-definition "$taskdef" --launch-type FARGATE --count "$count" \
        --network-configuration "awsvpcConfiguration={subnets=[$subnet],securityGroups=[$group]}" \
        --query 'tasks[].taskArn' --output text))
    [ "${#batch[@]}" -eq "$count" ] || { echo "aws_fanout: RunTask started ${#batch[@]} of $count" >&2; exit 1; }
    arns+=("${batch[@]}")
    launched=$(( launched + count ))
done

for (( i = 0; i < ${#arns[@]}; i += 100 )); do
    aws ecs wait tasks-stopped --endpoint-url "$endpoint" --cluster "$cluster" \
        --tasks "${arns[@]:i:100}"
done
