-- wrk script for bench/answer_post.py: POST one wizard page the way a browser
-- submits it, with a different answer every time, so every request writes.
--
-- Configured through environment variables (set by answer_post.py):
--   BENCH_PATH    /a/<aid>/fields/<field_id>
--   BENCH_COOKIE  the session cookie, "advisor_session=..."
--   BENCH_BODY    the url-encoded form body; "{level}" is replaced by 0..4
--                 (cycling) and "{seq}" by a per-request sequence "<thread>-<n>"
--
-- done() prints one line "BENCH_STATUS expected=<n> unexpected=<n> first_unexpected=<code>"
-- (expected = 303 See Other) that answer_post.py checks; wrk itself counts every
-- 3xx as success.

local path = os.getenv("BENCH_PATH")
local body_template = os.getenv("BENCH_BODY")
local headers = {
   ["Content-Type"] = "application/x-www-form-urlencoded",
   ["Cookie"] = os.getenv("BENCH_COOKIE"),
}

local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("thread_id", thread_count)
   table.insert(threads, thread)
end

counter = 0
expected = 0
unexpected = 0
first_unexpected = 0

function request()
   counter = counter + 1
   local body = body_template
      :gsub("{level}", tostring(counter % 5))
      :gsub("{seq}", tostring(thread_id) .. "-" .. tostring(counter))
   return wrk.format("POST", path, headers, body)
end

function response(status, response_headers, body)
   if status == 303 then
      expected = expected + 1
   else
      unexpected = unexpected + 1
      if first_unexpected == 0 then
         first_unexpected = status
      end
   end
end

function done(summary, latency, requests)
   local ok, bad, first = 0, 0, 0
   for _, thread in ipairs(threads) do
      ok = ok + thread:get("expected")
      bad = bad + thread:get("unexpected")
      if first == 0 then
         first = thread:get("first_unexpected")
      end
   end
   io.write(string.format("BENCH_STATUS expected=%d unexpected=%d first_unexpected=%d\n", ok, bad, first))
end
