-- Runs once in every fresh Lua state before the parser script, with the full `os` table as
-- its argument (that table is then dropped). Returns the two functions the runner calls for
-- parse(chunk, n) and finish(). Everything it needs is captured in locals first, so a parser that
-- rewrites globals (string, table, type...) cannot change how its records are read.
local full_os = ...
local type, rawlen, rawget, error, select, tostring = type, rawlen, rawget, error, select, tostring
local concat, unpack, pack, rep, format = table.concat, table.unpack, string.pack, string.rep, string.format
local globals = _G

-- os.exit would end the whole server process; keep only the clocks.
os = { time = full_os.time, clock = full_os.clock }
dofile, loadfile = nil, nil
-- Parser debug output must not flood the server log.
print = function() end

-- Binary chunks bypass the compiler's checks and can crash the VM: text only.
local rawload = load
load = function(chunk, chunkname, _mode, ...)
  if select('#', ...) > 0 then return rawload(chunk, chunkname, 't', ...) end
  return rawload(chunk, chunkname, 't')
end

-- string.pack and table.unpack take at most a few thousand values at a time.
local GROUP = 4096
-- Pack formats ('<' .. rep(item, n)) by item and n; most calls reuse the last few.
local formats, cached = { I4 = {}, f = {} }, 0

local function format_for(item, n)
  local f = formats[item][n]
  if f == nil then
    if cached >= 64 then formats, cached = { I4 = {}, f = {} }, 0 end
    f = '<' .. rep(item, n)
    formats[item][n], cached = f, cached + 1
  end
  return f
end

local function pack_all(values, count, item)
  if count <= GROUP then return pack(format_for(item, count), unpack(values, 1, count)) end
  local parts = {}
  for first = 1, count, GROUP do
    local last = first + GROUP - 1
    if last > count then last = count end
    parts[#parts + 1] = pack(format_for(item, last - first + 1), unpack(values, first, last))
  end
  return concat(parts)
end

-- A record's numbers become float32 little-endian bytes.
local function pack_numbers(what, index, record)
  local count = rawlen(record)
  for j = 1, count do
    if type(rawget(record, j)) ~= 'number' then
      error(format('record %d returned by %s has a %s at position %d; numeric records hold only numbers',
        index, what, type(rawget(record, j)), j), 0)
    end
  end
  return pack_all(record, count, 'f')
end

-- Runs of consecutive records of one kind, two numbers per run: the record count, then
-- size * 2 + (1 if float32 else 0). Fixed-size records make one run per call, however many
-- there are. Reused from call to call.
local runs = {}

-- All records of one call cross into JS as two strings: their bytes end to end, and the
-- packed runs (uint32 pairs). This runs for every call, so the usual case (all records are
-- byte strings) concatenates the parser's own table without building another.
local function encode(what, records)
  if records == nil then return '', '' end
  if type(records) ~= 'table' then
    error(format('%s must return an array of records (a table), got a %s', what, type(records)), 0)
  end
  local count = rawlen(records)
  local parts = records
  local used, run_kind, run_length = 0, -1, 0
  for i = 1, count do
    local record = rawget(records, i)
    local kind = type(record)
    local record_kind
    if kind == 'string' then
      record_kind = #record * 2
      if parts ~= records then parts[i] = record end
    elseif kind == 'table' then
      if parts == records then
        parts = {}
        for j = 1, i - 1 do parts[j] = rawget(records, j) end
      end
      parts[i] = pack_numbers(what, i, record)
      record_kind = #parts[i] * 2 + 1
    else
      error(format('record %d returned by %s is a %s; a record is a byte string or an array of numbers',
        i, what, kind), 0)
    end
    if record_kind == run_kind then
      run_length = run_length + 1
    else
      if run_length > 0 then runs[used + 1], runs[used + 2], used = run_length, run_kind, used + 2 end
      run_kind, run_length = record_kind, 1
    end
  end
  if run_length > 0 then runs[used + 1], runs[used + 2], used = run_length, run_kind, used + 2 end
  return concat(parts, '', 1, count), pack_all(runs, used, 'I4')
end

-- Calls the script's global `name` and encodes what it returns.
local function call(name, ...)
  local fn = globals[name]
  if fn == nil and name == 'finish' then return '', '' end
  if type(fn) ~= 'function' then
    error(format('the script must define a global function %s, found a %s', name, type(fn)), 0)
  end
  return encode(name, fn(...))
end

return function(chunk, n) return call('parse', chunk, n) end, function() return call('finish') end
