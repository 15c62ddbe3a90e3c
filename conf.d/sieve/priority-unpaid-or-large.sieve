# dovecot-shoper recipe: raise the priority of mail about an unpaid order or
# a large one (total of 500 or more in the order's currency): flag it and
# tag it with the keyword $shoper_priority; it stays where it would go.
# i;ascii-numeric compares the leading digits of "164.98 PLN" (164).
require ["imap4flags", "variables", "relational",
         "comparator-i;ascii-numeric"];

set "total" "0";
if header :matches "X-Shoper-Order-Total" "* *" { set "total" "${1}"; }
if allof (exists "X-Shoper-Order-Id",
          anyof (header :is "X-Shoper-Order-Paid" "no",
                 string :value "ge" :comparator "i;ascii-numeric"
                   "${total}" "500")) {
  addflag ["\\Flagged", "$shoper_priority"];
}
