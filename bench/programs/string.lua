-- A 1 MB string, one byte at a time: 1,000,000 table slots, then table.concat
-- (repeated `s = s .. "x"` would copy the string every time: O(n^2)).
local parts = {}
for i = 1, 1000000 do parts[i] = "x" end
local s = table.concat(parts)
print(#s)
