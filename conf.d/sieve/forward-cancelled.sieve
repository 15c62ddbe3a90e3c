# dovecot-shoper recipe: send a copy of mail about a cancelled, rejected or
# returned order (status type not-completed) to a colleague; the original
# stays in this mailbox. Replace the address.
require ["copy"];

if header :is "X-Shoper-Order-Status-Type" "not-completed" {
  redirect :copy "returns@example.com";
}
