<?php

/**
 * The order card of one message (see shoper.php). Every value is the
 * shop's text as the Dovecot plugin cleaned it, escaped here again.
 */
class shoper_card
{
    private $plugin;
    private $h;
    private $id;
    private $shop;

    function __construct($plugin, $header, $id, $shop)
    {
        $this->plugin = $plugin;
        $this->h = $header;
        $this->id = $id;
        $this->shop = $shop;
    }

    private function v($name)
    {
        return shoper::hval($this->h, $name);
    }

    private function t($label, $vars = [])
    {
        return $this->plugin->gettext(['name' => $label, 'vars' => $vars]);
    }

    private static function badge($class, $text)
    {
        return html::span(['class' => 'shoper-badge ' . $class], rcube::Q($text));
    }

    function html($folder)
    {
        $rows = [];
        $add = function ($label, $html, $class = '') use (&$rows) {
            if ($html !== '') {
                $rows[] = html::tag('tr', ['class' => $class],
                    html::tag('th', null, rcube::Q($this->t($label)))
                    . html::tag('td', null, $html));
            }
        };
        $add('customer', rcube::Q($this->v('X-Shoper-Customer')));
        $add('ordered', rcube::Q($this->v('X-Shoper-Order-Date')));
        $add('total', rcube::Q($this->v('X-Shoper-Order-Total')));
        $add('shipping', rcube::Q($this->v('X-Shoper-Order-Shipping')));
        $add('tracking', $this->tracking(), 'shoper-tracking');
        $add('orders', $this->orders());

        $synced = $this->v('X-Shoper-Synced');
        $age = $synced !== '' ? $this->t('as_at_synced', ['synced' => $synced])
            : $this->t('as_at_delivery');

        $out = html::div('shoper-head', $this->title() . $this->badges())
            . $this->outcome($folder)
            . html::tag('table', 'shoper-data', implode('', $rows))
            . html::div('shoper-age', rcube::Q($age))
            . $this->control($folder);
        return html::div(['class' => 'shoper-card', 'id' => 'shoper-card',
            'data-shop' => $this->shop, 'data-order' => $this->id], $out);
    }

    private function title()
    {
        $text = $this->shop . ' #' . $this->id;
        $url = shoper::safe_url($this->v('X-Shoper-Order-Url'));
        if ($url === null) {
            return html::span('shoper-title', rcube::Q($text));
        }
        return html::a(['href' => $url, 'target' => '_blank',
            'rel' => 'noopener noreferrer', 'class' => 'shoper-title',
            'title' => $this->t('open_in_admin')], rcube::Q($text));
    }

    private function badges()
    {
        $out = '';
        $status = $this->v('X-Shoper-Order-Status');
        $type = $this->v('X-Shoper-Order-Status-Type');
        if (!preg_match('/^[a-z-]{1,20}$/', $type)) {
            $type = 'unknown';
        }
        if ($status !== '') {
            $out .= self::badge('shoper-status shoper-type-' . $type, $status);
        }
        $paid = $this->v('X-Shoper-Order-Paid');
        if ($paid === 'yes') {
            $out .= self::badge('shoper-paid', $this->t('paid'));
        } elseif ($paid === 'no') {
            $out .= self::badge('shoper-unpaid', $this->t('not_paid'));
        }
        return $out;
    }

    /** Tracking numbers, each linked to its carrier page when known. */
    private function tracking()
    {
        $nums = array_values(array_filter(array_map('trim',
            explode(', ', $this->v('X-Shoper-Order-Tracking'))), 'strlen'));
        $urls = array_map('trim', explode(', ', $this->v('X-Shoper-Order-Tracking-Url')));
        $out = [];
        foreach ($nums as $i => $n) {
            // one URL per number, in the same order (doc/headers.md);
            // a number without a valid URL has none, so pair only when
            // the counts agree
            $u = count($urls) == count($nums) ? shoper::safe_url($urls[$i]) : null;
            $out[] = $u === null ? rcube::Q($n) : html::a(['href' => $u,
                'target' => '_blank', 'rel' => 'noopener noreferrer'], rcube::Q($n));
        }
        return implode(', ', $out);
    }

    private function orders()
    {
        $out = [];
        foreach (explode(',', $this->v('X-Shoper-Orders')) as $o) {
            $o = trim($o);
            if ($o === '') {
                continue;
            }
            $self = $o === $this->shop . ':' . $this->id;
            $out[] = $self ? html::tag('b', null, rcube::Q($o)) : rcube::Q($o);
        }
        return implode(', ', $out);
    }

    private function outcome($folder)
    {
        $o = shoper::outcome($this->h);
        if ($o === 'done') {
            return html::div('shoper-outcome shoper-done',
                rcube::Q($this->t('status_done')));
        }
        if ($o !== 'failed') {
            return '';
        }
        $reason = $this->reason($folder);
        $text = $reason !== null ? $this->t('status_failed_reason', ['reason' => $reason])
            : $this->t('status_failed');
        return html::div('shoper-outcome shoper-failed', rcube::Q($text));
    }

    /** The reason from the newest notice about this order in the folder. */
    private function reason($folder)
    {
        $storage = rcmail::get_instance()->get_storage();
        $q = sprintf('OR HEADER X-Shoper-Notice %s SUBJECT %s',
            rcube_imap_generic::escape($this->shop . ':' . $this->id),
            rcube_imap_generic::escape(sprintf('Order %s (%s): status not changed',
                $this->id, $this->shop)));
        $set = $storage->search_once($folder, $q);
        $uids = $set ? $set->get() : [];
        if (empty($uids)) {
            return null;
        }
        $body = (string) $storage->get_body(max($uids));
        if (preg_match('/^(?:Reason|Powód):[ \t]*(.+)$/mu', $body, $m)) {
            return rcube_charset::clean(trim($m[1]));
        }
        return null;
    }

    /** The IMAP module's metadata entry (doc/status-change.md). */
    const FOLDERS_ENTRY = '/private/vendor/vendor.shoper/status-folders';

    /** Status folders of the order's shop: [imap name => label]. */
    private function status_folders()
    {
        $rcmail = rcmail::get_instance();
        $storage = $rcmail->get_storage();
        $root = (string) $rcmail->config->get('shoper_status_folder', 'Shoper');
        if ($root === '') {
            return [];
        }
        $delim = $storage->get_hierarchy_delimiter();
        $listed = $this->status_order($delim);
        return $listed !== null ? $listed : $this->listed_folders($root, $delim);
    }

    /** The shop's active status folders in the shop's own order, as the
        server tells (GETMETADATA "" of FOLDERS_ENTRY, which the imap_shoper
        module answers without imap_metadata); null when it doesn't. */
    private function status_order($delim)
    {
        $storage = rcmail::get_instance()->get_storage();
        if (!$storage->check_connection()) {
            return null;
        }
        // the connection's own call: rcube_imap::get_metadata() wants the
        // METADATA capability, which needs imap_metadata (and a dict)
        $res = $storage->conn->getMetadata('', [self::FOLDERS_ENTRY]);
        $value = is_array($res) && isset($res['']) && is_array($res[''])
            ? reset($res['']) : null;
        if (!is_string($value)
            || strpos($value, "shoper-status-folders 1\n") !== 0) {
            return null;
        }
        $out = [];
        foreach (array_slice(explode("\n", $value), 1) as $line) {
            $kv = [];
            foreach (explode(' ', $line) as $pair) {
                $eq = strpos($pair, '=');
                if ($eq !== false) {
                    $kv[substr($pair, 0, $eq)] = rawurldecode(substr($pair, $eq + 1));
                }
            }
            if (!isset($kv['shop'], $kv['active'], $kv['folder'])
                || $kv['shop'] !== $this->shop || $kv['active'] !== '1') {
                continue;
            }
            $f = rcube_charset::convert($kv['folder'], 'UTF-8', 'UTF7-IMAP');
            $p = strrpos($kv['folder'], $delim);
            $out[$f] = $p === false ? $kv['folder'] : substr($kv['folder'], $p + 1);
        }
        return $out;
    }

    /** Without the server's list: the folders under the root that belong
        to the order's shop, by name (retired ones included). */
    private function listed_folders($root, $delim)
    {
        $storage = rcmail::get_instance()->get_storage();
        $all = $storage->list_folders('', $root . $delim . '*', 'mail', null, true);
        $shopdir = $root . $delim . $this->shop . $delim;
        $mine = [];
        $direct = [];
        foreach ($all as $f) {
            $rest = substr($f, strlen($root . $delim));
            if (strpos($f, $shopdir) === 0
                && strpos(substr($f, strlen($shopdir)), $delim) === false) {
                $mine[] = $f;
            } elseif (strpos($rest, $delim) === false) {
                $direct[$f] = true;
            }
        }
        if (empty($mine)) {
            // one shop in the mailbox's scope: no shop level (a direct
            // child with children is another shop's level)
            foreach (array_keys($direct) as $f) {
                $kids = preg_grep('/^' . preg_quote($f . $delim, '/') . '/', $all);
                if (empty($kids)) {
                    $mine[] = $f;
                }
            }
        }
        $out = [];
        foreach ($mine as $f) {
            $label = substr($f, strrpos($f, $delim) + 1);
            $out[$f] = rcube_charset::convert($label, 'UTF7-IMAP');
        }
        uasort($out, 'strcoll');
        return $out;
    }

    private function control($folder)
    {
        $folders = $this->status_folders();
        if (empty($folders)) {
            return '';
        }
        $select = new html_select(['name' => '_shoper_status',
            'id' => 'shoper-status-select', 'class' => 'custom-select form-control-sm']);
        $select->add($this->t('choose_status'), '');
        foreach ($folders as $f => $label) {
            if ($f !== $folder) {
                $select->add($label, $f);
            }
        }
        $button = html::tag('button', ['type' => 'button', 'id' => 'shoper-status-set',
            'class' => 'btn btn-primary btn-sm',
            'onclick' => 'return rcmail.shoper_set_status()'],
            rcube::Q($this->t('set_status')));
        return html::div('shoper-control',
            html::label(['for' => 'shoper-status-select'], rcube::Q($this->t('set_status_label')))
            . $select->show('') . ' ' . $button);
    }
}
