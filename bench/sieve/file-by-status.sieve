# Setups (a) and (b): file by the state of the newest order
# (conf.d/sieve/file-by-status-type.sieve); with the plugin the
# X-Shoper-* headers are there before Sieve runs, without it nothing matches.
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
