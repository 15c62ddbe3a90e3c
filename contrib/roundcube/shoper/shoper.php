<?php

/**
 * Shoper order card: shows the X-Shoper-* headers that the Dovecot
 * plugin adds at delivery as a card above the message, the outcome of a
 * status change ($ShoperStatusDone / $ShoperStatusFailed keywords) on the
 * card and in the message list, and a "Set status" control that moves the
 * message into a status folder of the order's shop.
 *
 * No network calls: everything comes from the message's headers and
 * keywords and from IMAP (status folders, notices).
 *
 * @license GNU GPLv3+
 */
class shoper extends rcube_plugin
{
    public $task = 'mail';

    private $shown = false;

    /** Headers fetched with every message (also for the list). */
    const HEADERS = [
        'X-Shoper-Order-Id', 'X-Shoper-Shop', 'X-Shoper-Order-Status',
        'X-Shoper-Order-Status-Type', 'X-Shoper-Order-Date',
        'X-Shoper-Customer', 'X-Shoper-Order-Total', 'X-Shoper-Order-Paid',
        'X-Shoper-Order-Tracking', 'X-Shoper-Order-Tracking-Url',
        'X-Shoper-Order-Shipping', 'X-Shoper-Order-Url', 'X-Shoper-Orders',
        'X-Shoper-Match', 'X-Shoper-Synced',
    ];

    function init()
    {
        $this->load_config('config.inc.php.dist');
        $this->load_config();
        $this->add_hook('storage_init', [$this, 'storage_init']);
        $this->add_hook('messages_list', [$this, 'messages_list']);
        $this->add_hook('message_body_prefix', [$this, 'body_prefix']);
        $rcmail = rcmail::get_instance();
        if ($rcmail->action == '' || $rcmail->action == 'show'
            || $rcmail->action == 'preview') {
            $this->add_texts('localization/', true);
            $this->include_script('shoper.js');
            $this->include_stylesheet('shoper.css');
        }
    }

    function storage_init($args)
    {
        $have = isset($args['fetch_headers']) ? $args['fetch_headers'] : '';
        $args['fetch_headers'] = trim($have . ' '
            . strtoupper(implode(' ', self::HEADERS)));
        return $args;
    }

    /** The outcome keyword of a message: 'done', 'failed' or null. */
    static function outcome($header)
    {
        $flags = isset($header->flags) ? (array) $header->flags : [];
        if (!empty($flags['SHOPERSTATUSFAILED'])) {
            return 'failed';
        }
        if (!empty($flags['SHOPERSTATUSDONE'])) {
            return 'done';
        }
        return null;
    }

    /** The list gets the outcome as a flag the script turns into a badge. */
    function messages_list($args)
    {
        if (empty($args['messages'])) {
            return $args;
        }
        foreach ($args['messages'] as $header) {
            $o = self::outcome($header);
            if ($o !== null) {
                $header->list_flags['extra_flags']['shoper'] = $o;
            }
        }
        $this->add_texts('localization/', ['status_done_badge',
            'status_failed_badge']);
        return $args;
    }

    /** A header's value, RFC 2047 decoded, or '' when absent. */
    static function hval($header, $name)
    {
        $others = isset($header->others) ? $header->others : [];
        $v = isset($others[strtolower($name)]) ? $others[strtolower($name)] : '';
        if (is_array($v)) { // the plugin writes each header once
            $v = reset($v);
        }
        $v = rcube_mime::decode_header((string) $v, 'UTF-8');
        return trim(preg_replace('/[\x00-\x1f\x7f]+/', ' ', $v));
    }

    /** An http(s) URL as the Dovecot plugin writes it, else null. */
    static function safe_url($v)
    {
        return preg_match('~^https?://[\x21-\x7e]+$~', $v) ? $v : null;
    }

    function body_prefix($args)
    {
        // once per message, above its first part
        $msg = isset($args['message']) ? $args['message'] : $args['part'];
        if ($this->shown || !($msg instanceof rcube_message)) {
            return $args;
        }
        $this->shown = true;
        $h = $msg->headers;
        $id = self::hval($h, 'X-Shoper-Order-Id');
        $shop = self::hval($h, 'X-Shoper-Shop');
        // the Dovecot plugin writes only these characters (doc/headers.md)
        if (!preg_match('/^[A-Za-z0-9._-]{1,64}$/', $id)
            || !preg_match('/^[A-Za-z0-9._-]+$/', $shop)) {
            return $args;
        }
        $this->add_texts('localization/');
        require_once __DIR__ . '/shoper_card.php';
        $card = new shoper_card($this, $h, $id, $shop);
        $args['prefix'] .= $card->html($msg->folder);
        return $args;
    }
}
