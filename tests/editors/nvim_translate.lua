-- Translate from a real Neovim (headless), as docs/editors.md says: open a .cu kernel, list
-- the refactor.rewrite actions, apply "Translate `k` to BANG C" through Neovim's own client
-- (vim.lsp.buf.code_action: request, codeAction/resolve, workspace/executeCommand), wait for
-- the new .mlu buffer (workspace/applyEdit with CreateFile, then window/showDocument), read
-- its diagnostics, hover and code lenses, run Re-check from the lens, save it, diff it
-- against the source, and cancel a second translation. Writes what it saw to
-- $XPILER_NVIM_OUT.
local here = vim.fs.dirname(debug.getinfo(1, "S").source:sub(2))
local h = dofile(vim.fs.joinpath(here, "nvim_setup.lua"))
local result = h.result
local cu = os.getenv("XPILER_CU")
local kernel_line = tonumber(os.getenv("XPILER_CU_KERNEL_LINE")) -- a line inside the kernel (1-based)

h.run(function()
  local buf, err = h.open(cu)
  if not buf then return h.fail(err) end
  local client = h.client_for(buf)
  result.root_dir = client.root_dir or (client.config and client.config.root_dir)
  vim.api.nvim_win_set_cursor(0, { kernel_line, 0 })

  h.step("attached")
  -- 1. the menu of translations (vim.ui.select stands in for the user, who picks nothing)
  local offered
  local ui_select = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    offered = {}
    for _, item in ipairs(items) do
      local a = item.action or item -- 0.10/0.11: {action=..., ctx=...}
      table.insert(offered, { title = a.title, kind = a.kind })
    end
    on_choice(nil)
  end
  vim.lsp.buf.code_action({ context = { only = { "refactor.rewrite" } } })
  h.wait(20000, function() return offered ~= nil end)
  vim.ui.select = ui_select
  result.offered = offered or {}

  h.step("menu")
  -- 2. straight to one target, as in the docs
  local t0 = vim.uv.hrtime()
  vim.lsp.buf.code_action({ apply = true, filter = function(a) return a.title:match("to BANG C$") end })
  local stem = vim.fn.fnamemodify(cu, ":t:r")
  local shown = h.wait(120000, function()
    return vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ":t") == stem .. ".mlu"
  end)
  if not shown then
    result.diagnostics_on_source = h.diagnostics(buf)
    return h.fail("the .mlu result was not shown (window/showDocument) within 120 s")
  end
  local mbuf = vim.api.nvim_get_current_buf()
  local mlu = vim.api.nvim_buf_get_name(mbuf)
  result.translate_seconds = (vim.uv.hrtime() - t0) / 1e9
  result.mlu_name = mlu
  result.mlu_dir_is_source_dir = vim.fs.dirname(mlu) == vim.fs.dirname(vim.api.nvim_buf_get_name(buf))
  result.mlu_filetype = vim.bo[mbuf].filetype
  result.mlu_modified = vim.bo[mbuf].modified
  result.mlu_on_disk_before_write = vim.uv.fs_stat(mlu) ~= nil
  result.mlu_text = table.concat(vim.api.nvim_buf_get_lines(mbuf, 0, -1, false), "\n")
  result.mlu_cursor = vim.api.nvim_win_get_cursor(0)
  result.mlu_attached = h.wait(30000, function() return h.client_for(mbuf) ~= nil end)
  h.wait(30000, function()
    return h.has_diagnostic(mbuf, function(d)
      return (d.source or ""):match("^xpiler") and d.message:match("checked by the oracle")
    end)
  end)
  result.mlu_diagnostics = h.diagnostics(mbuf)
  vim.diagnostic.setloclist() -- the docs' list of them (opens the location list window)
  result.loclist = {}
  for _, item in ipairs(vim.fn.getloclist(0)) do table.insert(result.loclist, item.text) end
  vim.cmd("lclose")
  result.mlu_window_is_result = vim.api.nvim_get_current_buf() == mbuf

  -- the result carries a port-of comment: Compare is offered on it too
  local kline = result.mlu_cursor[1] - 1
  local lists = h.request_until(mbuf, "textDocument/codeAction", {
    textDocument = vim.lsp.util.make_text_document_params(mbuf),
    range = { start = { line = kline, character = 0 }, ["end"] = { line = kline, character = 0 } },
    context = { diagnostics = {}, only = { "source.xpiler.review" } },
  }, function(rs) return rs[1] ~= nil and #rs[1] > 0 end, 20000)
  result.mlu_review_offered = {}
  for _, a in ipairs(lists[1] or {}) do table.insert(result.mlu_review_offered, a.title) end

  -- 3. hover on a line of the result: where it came from
  local mlu_lines = vim.api.nvim_buf_get_lines(mbuf, 0, -1, false)
  local store_line
  for i, l in ipairs(mlu_lines) do
    if l:match("acc %+=") then store_line = i - 1 end
  end
  if store_line then
    local hovers = h.request_until(mbuf, "textDocument/hover", {
      textDocument = vim.lsp.util.make_text_document_params(mbuf),
      position = { line = store_line, character = 10 },
    }, function(rs) return rs[1] ~= nil end, 20000)
    result.mlu_hover = hovers[1] and hovers[1].contents and hovers[1].contents.value
  end
  h.step("hover")
  -- 4. the code lenses: refresh, read, and run Re-check from them
  vim.lsp.codelens.refresh({ bufnr = 0 })
  h.wait(15000, function() return #vim.lsp.codelens.get(mbuf) >= 2 end)
  result.lenses = {}
  local lens_line
  for _, l in ipairs(vim.lsp.codelens.get(mbuf)) do
    table.insert(result.lenses, { line = l.range.start.line, title = l.command and l.command.title })
    lens_line = l.range.start.line
  end
  if lens_line then
    vim.api.nvim_win_set_cursor(0, { lens_line + 1, 0 })
    vim.ui.select = function(items, opts, on_choice)
      result.lens_choices = {}
      local pick
      for i, item in ipairs(items) do
        local title = opts.format_item and opts.format_item(item) or tostring(item)
        table.insert(result.lens_choices, title)
        if title == "Re-check" then pick = i end
      end
      on_choice(pick and items[pick] or nil, pick)
    end
    local t1 = vim.uv.hrtime()
    vim.lsp.codelens.run()
    vim.ui.select = ui_select
    local job = h.wait_job(client, mbuf, "recheck", { "done", "error", "timeout", "cancelled" }, 60000)
    result.recheck_state = job and job.state
    result.recheck_seconds = (vim.uv.hrtime() - t1) / 1e9
  end

  h.step("lenses+recheck")
  -- 5. save it (a CreateFile edit only makes the buffer), then diff it against the source
  vim.cmd("write")
  local st = vim.uv.fs_stat(mlu)
  result.mlu_bytes_after_write = st and st.size or 0
  vim.cmd("vert diffsplit %:r.cu")
  result.diff_windows = {}
  for _, w in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    local name = vim.api.nvim_buf_get_name(vim.api.nvim_win_get_buf(w))
    table.insert(result.diff_windows, { name = vim.fn.fnamemodify(name, ":t"), diff = vim.wo[w].diff })
  end
  vim.cmd("diffoff!")
  vim.cmd("only")

  h.step("write+diff")
  -- 6. cancel: start a translation to C and cancel every job, as in the docs
  vim.cmd("buffer " .. buf)
  vim.api.nvim_win_set_cursor(0, { kernel_line, 0 })
  vim.lsp.buf.code_action({ apply = true, filter = function(a) return a.title:match("to C$") end })
  local t2 = vim.uv.hrtime()
  local running = h.wait_job(client, buf, "translate", { "queued", "running" }, 20000)
  if not running then return h.fail("the translation to C did not start") end
  if result.style == "0.11" then
    vim.lsp.get_clients({ name = "xpiler" })[1]:exec_cmd({ title = "cancel", command = "xpiler.cancelJob" })
  else
    vim.lsp.buf.execute_command({ command = "xpiler.cancelJob" })
  end
  local stopped = h.wait_job(client, buf, "translate", { "cancelled" }, 20000)
  result.cancelled = stopped ~= nil and stopped.jobId == running.jobId
  h.wait(5000, function()
    for _, p in ipairs(result.progress) do
      if p.kind == "end" and p.message == "cancelled" then return true end
    end
    return false
  end)
  result.cancel_seconds = (vim.uv.hrtime() - t2) / 1e9
  result.c_result_exists = vim.uv.fs_stat(vim.fn.fnamemodify(cu, ":r") .. ".c") ~= nil
  h.step("cancel")
  result.messages = h.messages()
  h.finish()
end)
