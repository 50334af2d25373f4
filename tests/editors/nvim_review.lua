-- Review a port from a real Neovim (headless), as docs/editors.md says: open a port whose
-- kernel carries `// xpiler: port-of ../orig.cu kernel`, apply "Compare `k` with its original"
-- (kind source.xpiler.review) through Neovim's own client, and read the port-disagreement
-- diagnostics; then the same on a correct port (port-equal). Writes what it saw to
-- $XPILER_NVIM_OUT.
local here = vim.fs.dirname(debug.getinfo(1, "S").source:sub(2))
local h = dofile(vim.fs.joinpath(here, "nvim_setup.lua"))
local result = h.result

local function review(path, line, key)
  local buf, err = h.open(path)
  if not buf then return nil, err end
  local client = h.client_for(buf)
  vim.api.nvim_win_set_cursor(0, { line, 0 })
  -- what the review kind offers here (vim.ui.select stands in for the user, who picks nothing)
  local offered
  local ui_select = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    offered = {}
    for _, item in ipairs(items) do
      local a = item.action or item
      table.insert(offered, { title = a.title, kind = a.kind })
    end
    on_choice(nil)
  end
  vim.lsp.buf.code_action({ context = { only = { "source.xpiler.review" } } })
  h.wait(20000, function() return offered ~= nil end)
  vim.ui.select = ui_select
  result[key .. "_offered"] = offered or {}
  if not offered or #offered == 0 then return buf end -- nothing to run (the test says so)
  -- the documented call
  local t0 = vim.uv.hrtime()
  vim.lsp.buf.code_action({ apply = true, filter = function(a) return a.title:match("^Compare") end })
  local done = h.wait(120000, function()
    return h.has_diagnostic(buf, function(d)
      return type(d.code) == "string" and (d.code:match("^port%-") or d.code:match("^job%-")) ~= nil
    end)
  end)
  result[key .. "_seconds"] = (vim.uv.hrtime() - t0) / 1e9
  result[key .. "_finished"] = done
  result[key .. "_diagnostics"] = h.diagnostics(buf)
  local job = h.wait_job(client, buf, "review", { "done", "error", "timeout", "cancelled" }, 5000)
  result[key .. "_state"] = job and job.state
  h.step(key)
  return buf
end

h.run(function()
  local _, err = review(os.getenv("XPILER_PORT"), tonumber(os.getenv("XPILER_PORT_LINE")), "bad")
  if err then return h.fail(err) end
  _, err = review(os.getenv("XPILER_PORT_OK"), tonumber(os.getenv("XPILER_PORT_LINE")), "ok")
  if err then return h.fail(err) end
  result.messages = h.messages()
  h.finish()
end)
