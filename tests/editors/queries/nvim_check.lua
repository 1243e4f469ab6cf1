-- Loads queries/koreo/ in real Neovim (>= 0.10) the way editors/README.md tells users to, and
-- reports what Neovim makes of a sample: filetypes, highlight captures, injected language trees.
-- Run by tests/tests/queries.rs: nvim --headless --clean -c 'luafile nvim_check.lua'.
-- Env: KOREO_REPO (repository root: its queries/ goes on runtimepath), YAML_SO (tree-sitter-yaml
-- parser library), WS (folder with the sample files), OUT (JSON result file).
local out = {}
local ok, err = pcall(function()
  vim.opt.runtimepath:append(vim.env.KOREO_REPO)
  -- Same filetype rules as editors/README.md.
  vim.filetype.add({
    extension = { koreo = 'koreo', k = 'koreo' },
    pattern = {
      ['.*%.k%.ya?ml'] = 'koreo',
      ['.*%.ya?ml'] = function(_, bufnr)
        for _, line in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, 200, false)) do
          if line:match([[^apiVersion:%s*["']?koreo%.dev/]]) then return 'koreo' end
        end
      end,
    },
  })
  -- The YAML parser under the name koreo, so Neovim reads queries/koreo/.
  vim.treesitter.language.add('koreo', { path = vim.env.YAML_SO, symbol_name = 'yaml' })
  -- No CEL parser ships with Neovim; map "cel" to the bundled lua parser to see the injection happen.
  vim.treesitter.language.register('lua', 'cel')

  out.filetypes = {}
  for _, f in ipairs({ 'fn.k.yaml', 'resource.yaml', 'deployment.yaml' }) do
    vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.WS .. '/' .. f))
    out.filetypes[f] = vim.bo.filetype
  end

  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.WS .. '/fn.k.yaml'))
  local buf = vim.api.nvim_get_current_buf()
  vim.treesitter.start(buf)
  local parser = vim.treesitter.get_parser(buf)
  parser:parse(true)
  out.captures = {}
  for row = 0, vim.api.nvim_buf_line_count(buf) - 1 do
    local line = vim.api.nvim_buf_get_lines(buf, row, row + 1, false)[1]
    for col = 0, #line - 1 do
      for _, c in ipairs(vim.treesitter.get_captures_at_pos(buf, row, col)) do
        if c.lang == 'koreo' and not c.capture:match('^_') then
          local key = row .. ':' .. c.capture
          out.captures[key] = (out.captures[key] or 0) + 1
        end
      end
    end
  end
  out.injections = {}
  parser:for_each_tree(function(_, ltree)
    if ltree:lang() ~= 'koreo' then
      for _, region in ipairs(ltree:included_regions()) do
        for _, r in ipairs(region) do
          -- r = { start_row, start_col, start_byte, end_row, end_col, end_byte }
          local er, ec = r[4], r[5]
          if er >= vim.api.nvim_buf_line_count(buf) then -- a region may end at the row after the last line
            er = vim.api.nvim_buf_line_count(buf) - 1
            ec = #vim.api.nvim_buf_get_lines(buf, er, er + 1, false)[1]
          end
          local text = table.concat(vim.api.nvim_buf_get_text(buf, r[1], r[2], er, ec, {}), '\n')
          table.insert(out.injections, { lang = ltree:lang(), text = text })
        end
      end
    end
  end)
end)
if not ok then out.error = tostring(err) end
local f = assert(io.open(vim.env.OUT, 'w'))
f:write(vim.json.encode(out))
f:close()
vim.cmd(ok and 'qall!' or 'cquit! 1')
