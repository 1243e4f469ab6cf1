-- Headless Neovim (0.7+) client for the koreo-ls end-to-end test (tests/tests/neovim.rs).
-- Opens $KOREO_FILE, attaches koreo-ls ($KOREO_LS --stdio) with $KOREO_ROOT as root, waits for
-- diagnostics, jumps to the definition at $KOREO_DEF ("line,col", 0-based) the way `gd`
-- would, and writes what the editor shows to $KOREO_OUT as JSON. Exit 0 = ran to the end.
local env = vim.env
local out_path = assert(env.KOREO_OUT, 'KOREO_OUT unset')
local result = {}

local function finish(code)
  local f = io.open(out_path, 'w')
  if f then
    f:write(vim.fn.json_encode(result))
    f:close()
  end
  if code == 0 then vim.cmd('qall!') else vim.cmd('cquit! ' .. code) end
end

local ok, err = pcall(function()
  local timeout = tonumber(env.KOREO_TIMEOUT_MS or '30000')
  vim.cmd('edit ' .. vim.fn.fnameescape((assert(env.KOREO_FILE, 'KOREO_FILE unset'))))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'koreo-ls',
    cmd = { (assert(env.KOREO_LS, 'KOREO_LS unset')), '--stdio' },
    root_dir = (assert(env.KOREO_ROOT, 'KOREO_ROOT unset')),
  })
  assert(client_id, 'could not start koreo-ls')
  vim.lsp.buf_attach_client(buf, client_id)

  assert(vim.wait(timeout, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c ~= nil and c.initialized
  end, 20), 'koreo-ls did not initialize')

  assert(vim.wait(timeout, function() return #vim.diagnostic.get(buf) > 0 end, 20),
    'no diagnostics shown')
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, severity = d.severity, message = d.message })
  end

  local line, col = (assert(env.KOREO_DEF, 'KOREO_DEF unset')):match('(%d+),(%d+)')
  vim.api.nvim_win_set_cursor(0, { tonumber(line) + 1, tonumber(col) })
  local params = vim.lsp.util.make_position_params()
  local client = vim.lsp.get_client_by_id(client_id)
  local resp = client.request_sync('textDocument/definition', params, timeout, buf)
  assert(resp and not resp.err and resp.result, 'definition failed: ' .. vim.inspect(resp))
  local loc = resp.result[1] or resp.result
  vim.lsp.util.jump_to_location(loc, client.offset_encoding)
  local cursor = vim.api.nvim_win_get_cursor(0)
  result.jumped_to = { file = vim.api.nvim_buf_get_name(0), lnum = cursor[1] - 1, col = cursor[2] }

  client.stop()
  vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  result.stopped = vim.lsp.get_client_by_id(client_id) == nil
end)
if not ok then
  result.error = tostring(err)
  finish(1)
else
  finish(0)
end
