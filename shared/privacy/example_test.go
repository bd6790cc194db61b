package privacy_test

import (
	"fmt"
	"strings"

	"github.com/safeview/safeview/shared/privacy"
)

func ExampleMaskName() {
	fmt.Println(privacy.MaskName("Harriet Smith"))
	fmt.Println(privacy.MaskName("Ludwig van Beethoven"))
	fmt.Println(privacy.MaskName("Smith, Harriet"))
	fmt.Println(privacy.MaskName("山田太郎"))
	// Output:
	// H. S***
	// L. B***
	// H. S***
	// 山***
}

func ExampleMaskEmail() {
	fmt.Println(privacy.MaskEmail("harriet.smith@dg1.com"))
	fmt.Println(privacy.MaskEmail("Harriet Smith <Harriet.Smith@DG1.com>"))
	fmt.Println(privacy.MaskEmail("harriet at dg1"))
	// Output:
	// h***@dg1.com
	// h***@dg1.com
	// ***
}

func ExampleMaskPhone() {
	fmt.Println(privacy.MaskPhone("+33 6 12 34 56 78"))
	fmt.Println(privacy.Last4("4242 4242 4242 4242"))
	// Output:
	// ***78
	// ***4242
}

func ExampleKeys_Pseudonym() {
	// The key comes from a secret (privacy.pseudonym_key); never a constant.
	keys, err := privacy.NewKeys([]byte(strings.Repeat("k", 32)))
	if err != nil {
		panic(err)
	}
	a := keys.Pseudonym(privacy.DomainCustomer, "Harriet.Smith@DG1.com ")
	b := keys.Pseudonym(privacy.DomainCustomer, "harriet.smith@dg1.com")
	fmt.Println(a, a == b)
	// Output: c_smkg47mc56q9ta8q true
}

func ExampleGuard() {
	out, counts := privacy.Guard("Gift for mum, call 06 12 34 56 78 or write to harriet [at] dg1 [dot] com")
	fmt.Println(out)
	fmt.Println(counts.Emails, counts.Phones)
	// Output:
	// Gift for mum, call ***78 or write to h***@dg1.com
	// 1 1
}

func ExampleNeutralize() {
	fmt.Println(privacy.Neutralize(`=HYPERLINK("http://x","y")`))
	// Output: '=HYPERLINK("http://x","y")
}
