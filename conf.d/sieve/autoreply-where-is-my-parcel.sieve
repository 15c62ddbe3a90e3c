# dovecot-shoper recipe: a customer asks where the parcel is and the order
# has a tracking number: answer at once with the order and tracking number
# (once a day per sender; Sieve variables carry the X-Shoper-* values).
# Mail without a tracking number waits for an agent as usual.
require ["vacation", "variables", "body"];

if allof (exists "X-Shoper-Order-Tracking",
          anyof (header :contains "Subject"
                   ["parcel", "paczk", "przesyłk", "tracking", "where is my order",
                    "gdzie jest", "kiedy dotrze"],
                 body :text :contains
                   ["where is my parcel", "gdzie jest moja paczka",
                    "gdzie jest moja przesyłka"])) {
  set "order" "";
  set "tracking" "";
  if header :matches "X-Shoper-Order-Id" "*" { set "order" "${1}"; }
  if header :matches "X-Shoper-Order-Tracking" "*" { set "tracking" "${1}"; }
  vacation :days 1 :handle "shoper-parcel-${order}"
    :subject "Order ${order}: tracking number ${tracking}"
text:
Hello,

your order ${order} has been sent. The parcel's tracking number is
${tracking}.

We have received your message and will answer it if you need anything else.
.
;
}
