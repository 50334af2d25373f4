-- Drive the Xpiler language server from a real Neovim (headless): attach with vim.lsp,
-- open a .cu and a .mlu file, read diagnostics and hovers, run the check action and wait
-- for its findings. Writes what it saw as JSON to $XPILER_NVIM_OUT.
local out_path = os.getenv("XPILER_NVIM_OUT")
local python = os.getenv("XPILER_PYTHON")
local cu, mlu = os.getenv("XPILER_CU"), os.getenv("XPILER_MLU")
local result = { errors = {} }

local function finish()
  local f = io.open(out_path, "w")
  f:write(vim.json.encode(result))
  f:close()
  vim.cmd("qa!")
end

local function wait(ms, pred)
  return vim.wait(ms, pred, 50)
end

vim.filetype.add({ extension = { mlu = "bang", hip = "hip", cu = "cuda" } })

local config = {
  name = "xpiler",
  cmd = { python, "-m", "xpiler_lsp" },
  root_dir = vim.fn.fnamemodify(cu, ":h"),
  init_options = { xpiler = { debounce = 50 } },
}
if vim.lsp.config then -- Neovim 0.11 style
  vim.lsp.config("xpiler", vim.tbl_extend("force", config, { filetypes = { "cuda", "bang", "hip", "c", "cpp" } }))
  vim.lsp.enable("xpiler")
  result.style = "0.11"
else -- Neovim 0.10 style
  vim.api.nvim_create_autocmd("FileType", {
    pattern = { "cuda", "bang", "hip", "c", "cpp" },
    callback = function(args) vim.lsp.start(config, { bufnr = args.buf }) end,
  })
  result.style = "0.10"
end

local function client_for(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = "xpiler" })[1]
end

local function codes(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, { code = d.code, lnum = d.lnum, severity = d.severity, message = d.message })
  end
  return out
end

local function hover(buf, line, col)
  local params = { textDocument = vim.lsp.util.make_text_document_params(buf), position = { line = line, character = col } }
  local resp = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 10000)
  for _, r in pairs(resp or {}) do
    if r.result and r.result.contents then return r.result.contents.value end
  end
  return nil
end

-- the .mlu file: attach, diagnostics (an unknown intrinsic), hover on an intrinsic
vim.cmd("edit " .. mlu)
local mbuf = vim.api.nvim_get_current_buf()
if not wait(30000, function() return client_for(mbuf) ~= nil end) then
  table.insert(result.errors, "no client attached to the .mlu buffer"); finish(); return
end
wait(15000, function() return #vim.diagnostic.get(mbuf) > 0 end)
result.mlu_filetype = vim.bo[mbuf].filetype
result.mlu_diagnostics = codes(mbuf)
result.mlu_hover = hover(mbuf, tonumber(os.getenv("XPILER_MLU_HOVER_LINE")), tonumber(os.getenv("XPILER_MLU_HOVER_COL")))

-- the .cu file: hover on the kernel, then the check action to its findings
vim.cmd("edit " .. cu)
local buf = vim.api.nvim_get_current_buf()
if not wait(30000, function() return client_for(buf) ~= nil end) then
  table.insert(result.errors, "no client attached to the .cu buffer"); finish(); return
end
local client = client_for(buf)
wait(15000, function() return client.attached_buffers and client.attached_buffers[buf] end)
vim.wait(1500)
result.cu_hover = hover(buf, tonumber(os.getenv("XPILER_CU_HOVER_LINE")), tonumber(os.getenv("XPILER_CU_HOVER_COL")))

local params = {
  textDocument = vim.lsp.util.make_text_document_params(buf),
  range = { start = { line = 5, character = 0 }, ["end"] = { line = 5, character = 0 } },
  context = { diagnostics = {} },
}
local resp = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 10000)
local action
for _, r in pairs(resp or {}) do
  for _, a in ipairs(r.result or {}) do
    if a.title:match("^Check") then action = a end
  end
end
if not action then table.insert(result.errors, "no check action offered"); finish(); return end
result.action = action.title
local resolved = client:request_sync("codeAction/resolve", action, 10000, buf)
local cmd = resolved and resolved.result and resolved.result.command
if not cmd then table.insert(result.errors, "the action did not resolve to a command"); finish(); return end
client:request_sync("workspace/executeCommand", { command = cmd.command, arguments = cmd.arguments }, 10000, buf)
local found = wait(120000, function()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == "check-summary" or (type(d.code) == "string" and d.code:match("^job%-")) then return true end
  end
  return false
end)
result.check_finished = found
for _, d in ipairs(vim.diagnostic.get(buf)) do
  if type(d.code) == "string" and d.code:match("^job%-") then table.insert(result.errors, d.message) end
end
result.cu_diagnostics = codes(buf)
finish()
