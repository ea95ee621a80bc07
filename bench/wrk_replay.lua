-- Replays pre-signed, unique requests: one per line "signature<TAB>form-body".
-- Each wrk thread takes its own slice so no MessageSid is sent twice.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path, nthreads = args[1], tonumber(args[2])
  reqs, idx = {}, 0
  local i = 0
  for line in io.lines(path) do
    if i % nthreads == tid then
      local sig, body = line:match("([^\t]*)\t(.*)")
      reqs[#reqs + 1] = wrk.format("POST", nil, {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = sig,
      }, body)
    end
    i = i + 1
  end
end

function request()
  idx = idx + 1
  if idx > #reqs then idx = 1 end
  return reqs[idx]
end
