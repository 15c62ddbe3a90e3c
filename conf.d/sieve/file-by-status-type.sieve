# dovecot-shoper recipe: file customer mail by the state of the newest order.
# X-Shoper-Order-Status-Type is one of: new, in-progress, closed,
# not-completed (the shop's status names are in X-Shoper-Order-Status).
# Mail without an order stays in INBOX.
require ["fileinto", "mailbox"];

if header :is "X-Shoper-Order-Status-Type" "new" {
  fileinto :create "Orders.New";
} elsif header :is "X-Shoper-Order-Status-Type" "in-progress" {
  fileinto :create "Orders.In-progress";
} elsif header :is "X-Shoper-Order-Status-Type" "closed" {
  fileinto :create "Orders.Closed";
} elsif header :is "X-Shoper-Order-Status-Type" "not-completed" {
  fileinto :create "Orders.Not-completed";
}
