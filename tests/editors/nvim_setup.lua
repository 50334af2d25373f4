-- Shared by nvim_translate.lua and nvim_review.lua: the set-up of docs/editors.md (the
-- Neovim 0.11 one, or the 0.10 one when $XPILER_NVIM_STYLE is "0.10" or vim.lsp.config is
-- missing), the progress autocmd of the docs, and helpers that record what Neovim saw as
-- JSON in $XPILER_NVIM_OUT.
local M = { result = { errors = {}, progress = {}, steps = {} } }
local result = M.result
local start = vim.uv.hrtime()

-- seconds since the start, by step (the test reports them)
function M.step(name)
  table.insert(result.steps, { name, (vim.uv.hrtime() - start) / 1e9 })
end

function M.finish()
  local f = io.open(os.getenv("XPILER_NVIM_OUT"), "w")
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd("qa!")
end

function M.fail(message)
  table.insert(result.errors, message)
  M.finish()
end

function M.wait(ms, pred)
  return vim.wait(ms, pred, 50)
end

-- ------------------------------------------------------------------ the documented set-up
local lsp_cmd = os.getenv("XPILER_LSP") -- the venv's xpiler-lsp
local style = os.getenv("XPILER_NVIM_STYLE")
if style ~= "0.10" and not vim.lsp.config then style = "0.10" end
result.style = style == "0.10" and "0.10" or "0.11"
result.nvim = tostring(vim.version())

vim.filetype.add({ extension = { mlu = "bang", hip = "hip", cu = "cuda" } })
if result.style == "0.11" then
  vim.lsp.config("xpiler", {
    cmd = { lsp_cmd },
    filetypes = { "cuda", "hip", "bang", "c", "cpp" },
    root_markers = { ".git" },
    settings = { xpiler = { gpuArch = "sm_80", jobs = { timeout = 120 } } },
  })
  vim.lsp.enable("xpiler")
else
  vim.api.nvim_create_autocmd("FileType", {
    pattern = { "cuda", "hip", "bang", "c", "cpp" },
    callback = function(args)
      vim.lsp.start({
        name = "xpiler",
        cmd = { lsp_cmd },
        root_dir = vim.fs.root(args.buf, { ".git" }),
        settings = { xpiler = { gpuArch = "sm_80" } }, -- not `xpiler = {}`: Lua sends an empty table as []
      })
    end,
  })
end

-- the docs' progress echo (kept in :messages), and a copy of each report for the checks
vim.api.nvim_create_autocmd("LspProgress", {
  callback = function(ev)
    local v = ev.data.params.value
    if type(v) == "table" and (v.title or v.message) then
      vim.api.nvim_echo({ { ("xpiler: %s %s"):format(v.title or "", v.message or "") } }, true, {})
    end
  end,
})
vim.api.nvim_create_autocmd("LspProgress", {
  callback = function(ev)
    local v = ev.data.params.value
    if type(v) == "table" then
      table.insert(result.progress, { kind = v.kind, title = v.title, message = v.message })
    end
  end,
})

-- ------------------------------------------------------------------ helpers
function M.client_for(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = "xpiler" })[1]
end

-- the results of `method` on `buf`, asked again until `pred(results)` (the server answers
-- for the last analysis it has within 3 s: a buffer just opened may not have one yet)
function M.request_until(buf, method, params, pred, ms)
  local results = {}
  M.wait(ms, function()
    results = {}
    for _, r in pairs(vim.lsp.buf_request_sync(buf, method, params, 10000) or {}) do
      if r.result ~= nil and r.result ~= vim.NIL then table.insert(results, r.result) end
    end
    return pred(results)
  end)
  return results
end

-- open `path` in the current window and wait for the server to attach and analyse it (its
-- document symbols are there)
function M.open(path)
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  if not M.wait(30000, function() return M.client_for(buf) ~= nil end) then
    return nil, "no client attached to " .. path
  end
  local symbols = M.request_until(buf, "textDocument/documentSymbol",
    { textDocument = vim.lsp.util.make_text_document_params(buf) },
    function(rs) return rs[1] ~= nil and #rs[1] > 0 end, 30000)
  if not symbols[1] then return nil, "the server did not analyse " .. path .. " in 30 s" end
  return buf
end

function M.diagnostics(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, { code = d.code, lnum = d.lnum, severity = d.severity, message = d.message,
                        source = d.source })
  end
  return out
end

function M.has_diagnostic(buf, pred)
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if pred(d) then return true end
  end
  return false
end

-- the server's xpiler.listJobs, as the docs ask for it
function M.jobs()
  local r = vim.lsp.get_clients({ name = "xpiler" })[1]:request_sync("workspace/executeCommand",
    { command = "xpiler.listJobs" }, 5000)
  return (r and r.result) or {}
end

-- the newest job of kind `name`, once its state is one of `states` (nil after `ms`)
function M.wait_job(client, buf, name, states, ms)
  local deadline = vim.uv.now() + ms
  repeat
    local newest
    for _, j in ipairs(M.jobs()) do
      if j.job == name and (newest == nil or j.jobId > newest.jobId) then newest = j end
    end
    if newest and vim.tbl_contains(states, newest.state) then return newest end
    vim.wait(100)
  until vim.uv.now() > deadline
  return nil
end

-- :messages, for the progress echoes
function M.messages()
  return vim.api.nvim_exec2("messages", { output = true }).output
end

-- an error in the script must still write the result (and quit)
function M.run(body)
  local ok, err = xpcall(body, debug.traceback)
  if not ok then M.fail("lua error: " .. tostring(err)) end
end

return M
