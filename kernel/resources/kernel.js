// Loaded by Jupyter Notebook 6 for notebooks using gotl's kernel.
// gofmt never wraps lines, and Notebook's editor hides whatever passes the
// cell's right edge behind a scroll bar: wrap long lines instead, in the
// cells already on the page and in every cell created later.
define(['base/js/namespace', 'base/js/events', 'notebook/js/codecell'], function (Jupyter, events, codecell) {
  'use strict';
  function wrap(cell) {
    if (cell && cell.cell_type === 'code' && cell.code_mirror) {
      cell.code_mirror.setOption('lineWrapping', true);
    }
  }
  return {
    onload: function () {
      codecell.CodeCell.options_default.cm_config.lineWrapping = true;
      if (Jupyter.notebook) {
        Jupyter.notebook.get_cells().forEach(wrap);
      }
      events.on('create.Cell', function (event, data) { wrap(data.cell); });
    }
  };
});
