# dovecot-shoper recipe: flag mail about an unpaid order (and mark it with
# the keyword $Unpaid) so agents see it first; the mail stays in INBOX.
require ["imap4flags"];

if allof (exists "X-Shoper-Order-Id",
          header :is "X-Shoper-Order-Paid" "no") {
  addflag ["\\Flagged", "$Unpaid"];
}
