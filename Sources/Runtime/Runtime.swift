// Runtime: the ECS layer (issue 3).
