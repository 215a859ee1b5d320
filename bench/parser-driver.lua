-- Native baseline for bench/parser.bench.ts: runs a WebML parser over a file the way the
-- server does (parse(chunk, n) per chunk of the same size, then finish()) and prints the
-- record count and total record bytes, so the bench can check both runs agree.
-- usage: lua5.4 parser-driver.lua <parser.lua> <data file> <chunk bytes>
local parser_path, data_path, chunk_size = arg[1], arg[2], tonumber(arg[3])
dofile(parser_path)

local count, bytes = 0, 0
local function tally(records)
  if records == nil then return end
  for i = 1, #records do
    local r = records[i]
    count = count + 1
    bytes = bytes + (type(r) == "string" and #r or #r * 4)
  end
end

local file = assert(io.open(data_path, "rb"))
while true do
  local chunk = file:read(chunk_size)
  if not chunk then break end
  tally(parse(chunk, #chunk))
end
file:close()
if finish then tally(finish()) end
print(count, bytes)
