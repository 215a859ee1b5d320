-- Numeric CSV: one record per line, the line's comma-separated numbers (stored as float32).
-- The first line is skipped when it is a header, i.e. holds a field that is not a number.
-- Blank lines are ignored; LF and CRLF line ends both work; every line needs the same
-- number of fields.
--
-- parse(chunk, n) receives the file in consecutive pieces of n raw bytes. A piece usually
-- ends in the middle of a line: that unfinished line waits in `pending` for the next call.

pending = ""   -- start of a line whose end has not arrived yet
line_no = 0
width = nil    -- fields per line, fixed by the first data line

local function parse_line(line, records)
  line_no = line_no + 1
  line = line:gsub("\r$", "")
  if line:find("^%s*$") then return end
  local values = {}
  for field in (line .. ","):gmatch("([^,]*),") do
    local value = tonumber(field)
    if value == nil then
      if line_no == 1 then return end  -- a header line
      error(string.format("line %d: field %d (%q) is not a number", line_no, #values + 1, field))
    end
    values[#values + 1] = value
  end
  width = width or #values
  if #values ~= width then
    error(string.format("line %d has %d fields, earlier lines have %d", line_no, #values, width))
  end
  records[#records + 1] = values
end

function parse(chunk, n)
  local text = pending .. chunk
  local records = {}
  local start = 1
  for line_end in text:gmatch("()\n") do
    parse_line(text:sub(start, line_end - 1), records)
    start = line_end + 1
  end
  pending = text:sub(start)
  return records
end

-- The last line may have no line end.
function finish()
  local records = {}
  if #pending > 0 then parse_line(pending, records) end
  pending = ""
  return records
end
