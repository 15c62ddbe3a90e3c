/* Shoper order card: outcome badges in the message list, "Set status". */
window.rcmail && rcmail.addEventListener('init', function () {
  // the list row of a message with an outcome keyword gets a badge
  rcmail.addEventListener('insertrow', function (evt) {
    var msg = rcmail.env.messages[evt.uid], o = msg && msg.flags && msg.flags.shoper;
    if (o !== 'done' && o !== 'failed')
      return;
    var badge = $('<span>').addClass('shoper-list-badge shoper-' + o)
      .text(rcmail.get_label('shoper.status_' + o + '_badge'));
    $(evt.row.obj).find('span.subject').first().append(' ', badge);
  });
});

/* Moves the shown message into the chosen status folder of its shop. */
rcube_webmail.prototype.shoper_set_status = function () {
  var folder = $('#shoper-status-select').val();
  if (!folder)
    return false;
  var top = this.is_framed() && parent.rcmail ? parent.rcmail : this;
  top.command('move', {id: folder, uids: [this.env.uid]});
  return false;
};
