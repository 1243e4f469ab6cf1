-- Headless Neovim (0.7+) client for the koreo-ls end-to-end test (tests/tests/neovim.rs).
-- Opens $KOREO_FILE, attaches koreo-ls ($KOREO_LS --stdio) with $KOREO_ROOT as root, then runs
-- the plan in $KOREO_PLAN (JSON; positions are 0-based {line, col} in bytes) the way a user
-- would, through Neovim's own LSP client and its util functions:
--   hover    {line, col}                 hover text there
--   fix      {line, col, want}           code actions there; the one whose title mentions
--                                        `want` is applied, then its diagnostic must go away
--   complete [{line, text}, ...]         the line is replaced by `text`, completion asked at
--                                        its end; the labels are recorded and the first item
--                                        whose label is in `accept` is applied
--   def      {line, col}                 go to definition, as `gd` would
-- What the editor shows is written to $KOREO_OUT as JSON. Exit 0 = ran to the end.
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

local function line_text(buf, lnum)
  return vim.api.nvim_buf_get_lines(buf, lnum, lnum + 1, false)[1]
end

local ok, err = pcall(function()
  local timeout = tonumber(env.KOREO_TIMEOUT_MS or '30000')
  local plan = vim.fn.json_decode((assert(env.KOREO_PLAN, 'KOREO_PLAN unset')))
  vim.cmd('edit ' .. vim.fn.fnameescape((assert(env.KOREO_FILE, 'KOREO_FILE unset'))))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'koreo-ls',
    cmd = { (assert(env.KOREO_LS, 'KOREO_LS unset')), '--stdio' },
    root_dir = (assert(env.KOREO_ROOT, 'KOREO_ROOT unset')),
    -- Send each edit at once: Neovim 0.7 debounces didChange (150 ms) and does not flush it
    -- before request_sync, so a completion right after an edit would see the old text.
    flags = { debounce_text_changes = 0 },
  })
  assert(client_id, 'could not start koreo-ls')
  vim.lsp.buf_attach_client(buf, client_id)

  assert(vim.wait(timeout, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c ~= nil and c.initialized
  end, 20), 'koreo-ls did not initialize')
  local client = vim.lsp.get_client_by_id(client_id)

  assert(vim.wait(timeout, function() return #vim.diagnostic.get(buf) > 0 end, 20),
    'no diagnostics shown')
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, severity = d.severity, message = d.message })
  end

  local function at(pos)
    vim.api.nvim_win_set_cursor(0, { pos[1] + 1, pos[2] })
    return vim.lsp.util.make_position_params()
  end

  if plan.hover then
    local resp = client.request_sync('textDocument/hover', at(plan.hover), timeout, buf)
    assert(resp and not resp.err and resp.result, 'hover failed: ' .. vim.inspect(resp))
    local lines = vim.lsp.util.convert_input_to_markdown_lines(resp.result.contents)
    result.hover = table.concat(lines, '\n')
  end

  if plan.fix then
    local lnum = plan.fix[1]
    local params = at(plan.fix)
    params.range = { start = params.position, ['end'] = params.position }
    local line_diags = {}
    local got, lsp_diags = pcall(vim.lsp.diagnostic.get_line_diagnostics, buf, lnum)
    if got and lsp_diags then line_diags = lsp_diags end
    params.context = { diagnostics = line_diags }
    local resp = client.request_sync('textDocument/codeAction', params, timeout, buf)
    assert(resp and not resp.err and resp.result, 'codeAction failed: ' .. vim.inspect(resp))
    result.actions = {}
    local chosen
    for _, a in ipairs(resp.result) do
      table.insert(result.actions, a.title)
      if not chosen and a.edit and a.title:find(plan.fix[3], 1, true) then chosen = a end
    end
    assert(chosen, 'no code action mentions ' .. plan.fix[3] .. ': ' .. vim.inspect(result.actions))
    vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
    result.fixed_line = line_text(buf, lnum)
    -- The buffer change goes to the server as didChange; the diagnostic on that line clears.
    result.fix_cleared = vim.wait(timeout, function()
      return #vim.diagnostic.get(buf, { lnum = lnum, severity = vim.diagnostic.severity.ERROR }) == 0
    end, 20)
  end

  result.completions = {}
  for _, c in ipairs(plan.complete or {}) do
    local lnum, text = c[1], c[2]
    vim.api.nvim_buf_set_lines(buf, lnum, lnum + 1, false, { text })
    -- In Insert mode the cursor sits after the last character; Normal mode cannot put it there,
    -- so the position is given directly (ASCII text: bytes = UTF-16 units).
    local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = lnum, character = #text } }
    local resp = client.request_sync('textDocument/completion', params, timeout, buf)
    assert(resp and not resp.err and resp.result, 'completion failed: ' .. vim.inspect(resp))
    local items = resp.result.items or resp.result
    local entry = { line = lnum, labels = {} }
    local accept = {}
    for _, l in ipairs(c.accept or c[3] or {}) do accept[l] = true end
    local chosen
    for _, item in ipairs(items) do
      table.insert(entry.labels, item.label)
      if not chosen and accept[item.label] then chosen = item end
    end
    if chosen then
      if chosen.textEdit then
        vim.lsp.util.apply_text_edits({ chosen.textEdit }, buf, client.offset_encoding)
      else
        vim.api.nvim_buf_set_text(buf, lnum, #text, lnum, #text, { chosen.insertText or chosen.label })
      end
      entry.applied = line_text(buf, lnum)
    end
    table.insert(result.completions, entry)
  end

  if plan.def then
    local resp = client.request_sync('textDocument/definition', at(plan.def), timeout, buf)
    assert(resp and not resp.err and resp.result, 'definition failed: ' .. vim.inspect(resp))
    local loc = resp.result[1] or resp.result
    vim.lsp.util.jump_to_location(loc, client.offset_encoding)
    local cursor = vim.api.nvim_win_get_cursor(0)
    result.jumped_to = { file = vim.api.nvim_buf_get_name(0), lnum = cursor[1] - 1, col = cursor[2] }
  end

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
