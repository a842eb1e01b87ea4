-- POST the same body on every request (register-existing or lookup, by path).
-- env WRK_PATH: the path; WRK_BODY_FILE: a file holding the JSON body.
local path = os.getenv("WRK_PATH")
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "r"))
local body = f:read("*a")
f:close()

wrk.method = "POST"
wrk.path = path
wrk.body = body
wrk.headers["Content-Type"] = "application/vnd.schemaregistry.v1+json"

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
