-- MNIST IDX label files: an 8-byte big-endian header (magic 0x00000801, label count),
-- then one unsigned byte per label; each label is a 1-byte record (stored as uint8).
--
-- parse(chunk, n) receives the file in consecutive pieces of n raw bytes; the header may be
-- split across two pieces, so its first bytes wait in `pending`.

pending = ""     -- header bytes received so far
in_header = true
expected = 0     -- label count announced by the header
seen = 0         -- labels returned so far

function parse(chunk, n)
  if in_header then
    pending = pending .. chunk
    if #pending < 8 then return {} end
    local magic, count = string.unpack(">I4I4", pending)
    if magic ~= 0x801 then error(string.format("not an IDX label file (magic 0x%08x)", magic)) end
    expected, in_header = count, false
    chunk, pending = pending:sub(9), ""
  end
  local records = {}
  for i = 1, #chunk do
    records[i] = chunk:sub(i, i)
  end
  seen = seen + #records
  return records
end

function finish()
  if in_header then error("file ends inside the 8-byte IDX header") end
  if seen ~= expected then error(string.format("header announces %d labels, file holds %d", expected, seen)) end
  return {}
end
