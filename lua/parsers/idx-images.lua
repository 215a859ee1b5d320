-- MNIST IDX image files: a 16-byte big-endian header (magic 0x00000803, image count,
-- rows, columns), then rows * columns unsigned bytes per image, one record per image.
--
-- parse(chunk, n) receives the file in consecutive pieces of n raw bytes. A piece may end
-- in the middle of the header or of an image, so bytes not yet returned wait in `pending`
-- until the next call. Records are returned as byte strings (stored as uint8).

pending = ""      -- bytes received but not yet returned
image_size = nil  -- rows * columns, known once the header has arrived
expected = 0      -- image count announced by the header
seen = 0          -- images returned so far

function parse(chunk, n)
  pending = pending .. chunk
  if not image_size then
    if #pending < 16 then return {} end
    local magic, count, rows, columns = string.unpack(">I4I4I4I4", pending)
    if magic ~= 0x803 then error(string.format("not an IDX image file (magic 0x%08x)", magic)) end
    if rows * columns == 0 then error("IDX header gives images of 0 bytes") end
    image_size, expected = rows * columns, count
    pending = pending:sub(17)
  end
  local records = {}
  local whole = #pending - #pending % image_size  -- bytes that make up complete images
  for start = 1, whole, image_size do
    records[#records + 1] = pending:sub(start, start + image_size - 1)
  end
  pending = pending:sub(whole + 1)
  seen = seen + #records
  return records
end

-- Called once after the last chunk: every byte must have belonged to a whole image.
function finish()
  if not image_size then error("file ends inside the 16-byte IDX header") end
  if #pending > 0 then error(string.format("file ends inside an image (%d stray bytes)", #pending)) end
  if seen ~= expected then error(string.format("header announces %d images, file holds %d", expected, seen)) end
  return {}
end
