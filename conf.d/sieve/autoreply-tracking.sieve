# dovecot-shoper recipe: answer a customer whose order has been shipped with
# its order number, tracking number and, when the shop knows it, the
# carrier's tracking page (once a day per sender). Values come from the
# X-Shoper-* headers through Sieve variables.
#
# Order data goes only to the order's own address. Vacation answers the
# envelope sender (Return-Path), so answer only when the plugin found the
# order by that very address: X-Shoper-Match "envelope", or "from" /
# "reply-to" when that header holds exactly one address and it is the
# envelope sender. A Subject match (anyone can write an order number) or a
# From: that is not the envelope sender gets no reply (doc/headers.md, Trust).
require ["vacation", "variables", "envelope", "relational",
         "comparator-i;ascii-numeric"];

set "sender" "";
if envelope :all :matches "from" "*" { set "sender" "${1}"; }
set "owner" "no";
if string :is "${sender}" "" {
  set "owner" "no";
} elsif header :is "X-Shoper-Match" "envelope" {
  set "owner" "yes";
} elsif allof (header :is "X-Shoper-Match" "from",
               address :count "eq" :comparator "i;ascii-numeric" "from" "1",
               address :all :is "from" "${sender}") {
  set "owner" "yes";
} elsif allof (header :is "X-Shoper-Match" "reply-to",
               address :count "eq" :comparator "i;ascii-numeric" "reply-to" "1",
               address :all :is "reply-to" "${sender}") {
  set "owner" "yes";
}

if allof (string :is "${owner}" "yes",
          header :is "X-Shoper-Order-Status-Type" "closed",
          exists "X-Shoper-Order-Tracking") {
  set "order" "";
  set "tracking" "";
  set "follow" "";
  if header :matches "X-Shoper-Order-Id" "*" { set "order" "${1}"; }
  if header :matches "X-Shoper-Order-Tracking" "*" { set "tracking" "${1}"; }
  # the carrier's tracking page(s), when the shop has a URL template
  if header :matches "X-Shoper-Order-Tracking-Url" "*" {
    set "follow" " Follow the parcel at ${1}.";
  }
  vacation :days 1 :subject "Your order ${order} has been shipped"
    "Thank you for your message. Your order ${order} has been shipped; the parcel's tracking number is ${tracking}.${follow} We will answer your message soon.";
}
