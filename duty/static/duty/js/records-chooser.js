/* The records an inspection samples (duty.choosers.RecordsChooserWidget): the button opens
   Wagtail's chooser, several at a time, with the period the form holds now; each record
   chosen is added as a ticked checkbox (untick it to leave it out). */
(function () {
  'use strict';

  function periodOf(chooser) {
    var params = {};
    var linked = JSON.parse(chooser.dataset.linkedFields || '{}');
    Object.keys(linked).forEach(function (param) {
      var field = document.querySelector(linked[param]);
      if (field && field.value) {
        params[param] = field.value;
      }
    });
    return params;
  }

  function add(chooser, record) {
    var list = chooser.querySelector('[data-records-chooser-list]');
    var name = chooser.dataset.name;
    var existing = list.querySelector('input[value="' + CSS.escape(String(record.id)) + '"]');
    if (existing) {
      existing.checked = true;
      return;
    }
    var item = document.createElement('li');
    var label = document.createElement('label');
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.name = name;
    box.value = record.id;
    box.checked = true;
    label.appendChild(box);
    label.appendChild(document.createTextNode(' ' + record.title));
    item.appendChild(label);
    list.appendChild(item);
  }

  function open(chooser) {
    var handlers = new window.ChooserModalOnloadHandlerFactory().getOnLoadHandlers();
    var params = Object.assign({ multiple: 1 }, periodOf(chooser));
    window.ModalWorkflow({
      url: chooser.dataset.chooserUrl,
      urlParams: params,
      onload: handlers,
      responses: {
        chosen: function (result) {
          (Array.isArray(result) ? result : [result]).forEach(function (record) {
            add(chooser, record);
          });
          var empty = chooser.querySelector('[data-records-chooser-empty]');
          if (empty) {
            empty.hidden = true;
          }
        },
      },
    });
  }

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-records-chooser-open]');
    if (!button) {
      return;
    }
    event.preventDefault();
    open(button.closest('[data-records-chooser]'));
  });
})();
