# Setup (c): the do-it-yourself way. Run a lookup program for every message
# (Pigeonhole extprograms), add the headers with editheader, then file by
# them exactly like file-by-status.sieve.
require ["vnd.dovecot.execute", "editheader", "variables", "envelope",
         "fileinto", "mailbox"];

# forged headers must not survive (the plugin strips them too)
deleteheader "X-Shoper-Order-Status-Type";
deleteheader "X-Shoper-Order-Status";
deleteheader "X-Shoper-Order-Id";
deleteheader "X-Shoper-Shop";

if envelope :matches "from" "*" {
  set :lower "sender" "${1}";
}
if execute :output "order" "shoper-lookup" "${sender}" {
  if string :matches "${order}" "*|*|*|*" {
    addheader :last "X-Shoper-Shop" "${1}";
    addheader :last "X-Shoper-Order-Id" "${2}";
    addheader :last "X-Shoper-Order-Status" "${3}";
    addheader :last "X-Shoper-Order-Status-Type" "${4}";
  }
}

if header :is "X-Shoper-Order-Status-Type" "new" {
  fileinto :create "Orders.New";
} elsif header :is "X-Shoper-Order-Status-Type" "in-progress" {
  fileinto :create "Orders.In-progress";
} elsif header :is "X-Shoper-Order-Status-Type" "closed" {
  fileinto :create "Orders.Closed";
} elsif header :is "X-Shoper-Order-Status-Type" "not-completed" {
  fileinto :create "Orders.Not-completed";
}
