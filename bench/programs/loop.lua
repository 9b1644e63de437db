-- 10 million integer additions in a numeric for loop (locals live in registers).
local s = 0
for i = 0, 10000000 - 1 do s = s + i end
print(s)
