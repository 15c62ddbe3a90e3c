# dovecot-shoper recipe: answer a customer whose order has been shipped with
# its order number and tracking number (once a day per sender). Values come
# from the X-Shoper-* headers through Sieve variables.
require ["vacation", "variables"];

if allof (header :is "X-Shoper-Order-Status-Type" "closed",
          exists "X-Shoper-Order-Tracking") {
  set "order" "";
  set "tracking" "";
  if header :matches "X-Shoper-Order-Id" "*" { set "order" "${1}"; }
  if header :matches "X-Shoper-Order-Tracking" "*" { set "tracking" "${1}"; }
  vacation :days 1 :subject "Your order ${order} has been shipped"
    "Thank you for your message. Your order ${order} has been shipped; the parcel's tracking number is ${tracking}. We will answer your message soon.";
}
