#!/usr/bin/env python3
"""N tasks with boto3, as a user would write it: run_task in batches of 10, then the
tasks_stopped waiter per 100 tasks (DescribeTasks' limit). Exits 0 once every task
stopped.

    python3 bench/ecs/boto3_fanout.py ENDPOINT CLUSTER TASKDEF SUBNET SECURITY_GROUP N

Credentials and region come from the environment.
"""
import sys

import boto3


def main():
    if len(sys.argv) != 7:
        sys.exit("usage: boto3_fanout.py ENDPOINT CLUSTER TASKDEF SUBNET SECURITY_GROUP N")
    endpoint, cluster, taskdef, subnet, group, n = sys.argv[1:6] + [int(sys.argv[6])]
    ecs = boto3.client("ecs", endpoint_url=endpoint)
    network = {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}}
    arns = []
    while len(arns) < n:
        count = min(10, n - len(arns))
        answer = ecs.run_task(cluster=cluster, taskDefinition=taskdef, launchType="FARGATE",
                              count=count, networkConfiguration=network)
        batch = [t["taskArn"] for t in answer["tasks"]]
        if len(batch) != count:
            sys.exit(f"boto3_fanout: RunTask started {len(batch)} of {count}")
        arns += batch
    waiter = ecs.get_waiter("tasks_stopped")
    for i in range(0, len(arns), 100):
        waiter.wait(cluster=cluster, tasks=arns[i:i + 100])


if __name__ == "__main__":
    main()
