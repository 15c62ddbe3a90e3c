# dovecot-shoper recipe: a customer asks where the parcel is and the order
# has a tracking number: answer at once with the order and tracking number,
# and the carrier's tracking page when the shop knows it (once a day per
# sender and order; Sieve variables carry the X-Shoper-* values). Mail
# without a tracking number waits for an agent as usual.
#
# Order data goes only to the order's own address. Vacation answers the
# envelope sender (Return-Path), so answer only when the plugin found the
# order by that very address: X-Shoper-Match "envelope", or "from" /
# "reply-to" when that header holds exactly one address and it is the
# envelope sender. A Subject match (anyone can write an order number) or a
# From: that is not the envelope sender waits for an agent
# (doc/headers.md, Trust).
require ["vacation", "variables", "body", "envelope", "relational",
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
          exists "X-Shoper-Order-Tracking",
          anyof (header :contains "Subject"
                   ["parcel", "paczk", "przesyłk", "tracking", "where is my order",
                    "gdzie jest", "kiedy dotrze"],
                 body :text :contains
                   ["where is my parcel", "gdzie jest moja paczka",
                    "gdzie jest moja przesyłka"])) {
  set "order" "";
  set "tracking" "";
  set "follow" "";
  if header :matches "X-Shoper-Order-Id" "*" { set "order" "${1}"; }
  if header :matches "X-Shoper-Order-Tracking" "*" { set "tracking" "${1}"; }
  # the carrier's tracking page(s), when the shop has a URL template
  if header :matches "X-Shoper-Order-Tracking-Url" "*" {
    set "follow" "Follow it at ${1}";
  }
  vacation :days 1 :handle "shoper-parcel-${order}"
    :subject "Order ${order}: tracking number ${tracking}"
text:
Hello,

your order ${order} has been sent. The parcel's tracking number is
${tracking}.
${follow}

We have received your message and will answer it if you need anything else.
.
;
}
