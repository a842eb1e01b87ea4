-- POST a schema never seen before on every request: each one gets a new id and version.
-- Subjects rotate over `subjects` (env WRK_SUBJECTS, default 1000) so versions grow slowly;
-- compatibility is NONE for these subjects (set by run.sh) so the check does not dominate.
-- With WRK_COMPATIBLE=1 every schema of a subject is the same record under another doc, so
-- that each new version passes any compatibility level against the previous ones.
local counter = 0
-- A global, not a local: `thread:set` in `setup` gives each thread its own value, which a local
-- of the same name would hide (every thread would then send the same schemas).
thread_id = 0
local subjects = tonumber(os.getenv("WRK_SUBJECTS") or "1000")
local run = os.getenv("WRK_RUN") or "r"
local compatible = os.getenv("WRK_COMPATIBLE") == "1"

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function request()
  counter = counter + 1
  local n = thread_id * 100000000 + counter
  local subject = string.format("bench-%s-%d", run, n % subjects)
  local schema
  if compatible then
    schema = string.format(
      '{"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"R\\",\\"doc\\":\\"%s%d\\",\\"fields\\":[{\\"name\\":\\"f\\",\\"type\\":\\"long\\"}]}"}',
      run, n)
  else
    schema = string.format(
      '{"schema":"{\\"type\\":\\"record\\",\\"name\\":\\"R%s%d\\",\\"fields\\":[{\\"name\\":\\"f\\",\\"type\\":\\"long\\"}]}"}',
      run, n)
  end
  return wrk.format("POST", "/subjects/" .. subject .. "/versions",
    { ["Content-Type"] = "application/vnd.schemaregistry.v1+json" }, schema)
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
