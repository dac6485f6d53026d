static void a0(struct pci_dev *pdev)
{
	pci_add_dma_alias(pdev, 0, 1);
}
static void b0(struct pci_dev *pdev)
{
	pci_add_dma_alias(pdev, 0, 1);
}
static void c0(struct pci_dev *pdev)
{
	pci_add_dma_alias(pdev, 0, 1);
}
static void a1(struct pci_dev *pdev)
{
	a0(pdev);
	b0(pdev);
	c0(pdev);
}
static void b1(struct pci_dev *pdev)
{
	a0(pdev);
	b0(pdev);
	c0(pdev);
}
static void c1(struct pci_dev *pdev)
{
	a0(pdev);
	b0(pdev);
	c0(pdev);
}
static void a2(struct pci_dev *pdev)
{
	a1(pdev);
	b1(pdev);
	c1(pdev);
}
static void b2(struct pci_dev *pdev)
{
	a1(pdev);
	b1(pdev);
	c1(pdev);
}
static void c2(struct pci_dev *pdev)
{
	a1(pdev);
	b1(pdev);
	c1(pdev);
}
static void a3(struct pci_dev *pdev)
{
	a2(pdev);
	b2(pdev);
	c2(pdev);
}
static void b3(struct pci_dev *pdev)
{
	a2(pdev);
	b2(pdev);
	c2(pdev);
}
static void c3(struct pci_dev *pdev)
{
	a2(pdev);
	b2(pdev);
	c2(pdev);
}
static void a4(struct pci_dev *pdev)
{
	a3(pdev);
	b3(pdev);
	c3(pdev);
}
static void b4(struct pci_dev *pdev)
{
	a3(pdev);
	b3(pdev);
	c3(pdev);
}
static void c4(struct pci_dev *pdev)
{
	a3(pdev);
	b3(pdev);
	c3(pdev);
}
static void a5(struct pci_dev *pdev)
{
	a4(pdev);
	b4(pdev);
	c4(pdev);
}
static void b5(struct pci_dev *pdev)
{
	a4(pdev);
	b4(pdev);
	c4(pdev);
}
static void c5(struct pci_dev *pdev)
{
	a4(pdev);
	b4(pdev);
	c4(pdev);
}
static void a6(struct pci_dev *pdev)
{
	a5(pdev);
	b5(pdev);
	c5(pdev);
}
static void b6(struct pci_dev *pdev)
{
	a5(pdev);
	b5(pdev);
	c5(pdev);
}
static void c6(struct pci_dev *pdev)
{
	a5(pdev);
	b5(pdev);
	c5(pdev);
}
static void a7(struct pci_dev *pdev)
{
	a6(pdev);
	b6(pdev);
	c6(pdev);
}
static void b7(struct pci_dev *pdev)
{
	a6(pdev);
	b6(pdev);
	c6(pdev);
}
static void c7(struct pci_dev *pdev)
{
	a6(pdev);
	b6(pdev);
	c6(pdev);
}
static void a8(struct pci_dev *pdev)
{
	a7(pdev);
	b7(pdev);
	c7(pdev);
}
static void b8(struct pci_dev *pdev)
{
	a7(pdev);
	b7(pdev);
	c7(pdev);
}
static void c8(struct pci_dev *pdev)
{
	a7(pdev);
	b7(pdev);
	c7(pdev);
}
static void a9(struct pci_dev *pdev)
{
	a8(pdev);
	b8(pdev);
	c8(pdev);
}
static void b9(struct pci_dev *pdev)
{
	a8(pdev);
	b8(pdev);
	c8(pdev);
}
static void c9(struct pci_dev *pdev)
{
	a8(pdev);
	b8(pdev);
	c8(pdev);
}
static void a10(struct pci_dev *pdev)
{
	a9(pdev);
	b9(pdev);
	c9(pdev);
}
static void b10(struct pci_dev *pdev)
{
	a9(pdev);
	b9(pdev);
	c9(pdev);
}
static void c10(struct pci_dev *pdev)
{
	a9(pdev);
	b9(pdev);
	c9(pdev);
}
static void a11(struct pci_dev *pdev)
{
	a10(pdev);
	b10(pdev);
	c10(pdev);
}
static void b11(struct pci_dev *pdev)
{
	a10(pdev);
	b10(pdev);
	c10(pdev);
}
static void c11(struct pci_dev *pdev)
{
	a10(pdev);
	b10(pdev);
	c10(pdev);
}
static void a12(struct pci_dev *pdev)
{
	a11(pdev);
	b11(pdev);
	c11(pdev);
}
static void b12(struct pci_dev *pdev)
{
	a11(pdev);
	b11(pdev);
	c11(pdev);
}
static void c12(struct pci_dev *pdev)
{
	a11(pdev);
	b11(pdev);
	c11(pdev);
}
static void a13(struct pci_dev *pdev)
{
	a12(pdev);
	b12(pdev);
	c12(pdev);
}
static void b13(struct pci_dev *pdev)
{
	a12(pdev);
	b12(pdev);
	c12(pdev);
}
static void c13(struct pci_dev *pdev)
{
	a12(pdev);
	b12(pdev);
	c12(pdev);
}
static void a14(struct pci_dev *pdev)
{
	a13(pdev);
	b13(pdev);
	c13(pdev);
}
static void b14(struct pci_dev *pdev)
{
	a13(pdev);
	b13(pdev);
	c13(pdev);
}
static void c14(struct pci_dev *pdev)
{
	a13(pdev);
	b13(pdev);
	c13(pdev);
}
static void a15(struct pci_dev *pdev)
{
	a14(pdev);
	b14(pdev);
	c14(pdev);
}
static void b15(struct pci_dev *pdev)
{
	a14(pdev);
	b14(pdev);
	c14(pdev);
}
static void c15(struct pci_dev *pdev)
{
	a14(pdev);
	b14(pdev);
	c14(pdev);
}
static void a16(struct pci_dev *pdev)
{
	a15(pdev);
	b15(pdev);
	c15(pdev);
}
static void b16(struct pci_dev *pdev)
{
	a15(pdev);
	b15(pdev);
	c15(pdev);
}
static void c16(struct pci_dev *pdev)
{
	a15(pdev);
	b15(pdev);
	c15(pdev);
}
static void a17(struct pci_dev *pdev)
{
	a16(pdev);
	b16(pdev);
	c16(pdev);
}
static void b17(struct pci_dev *pdev)
{
	a16(pdev);
	b16(pdev);
	c16(pdev);
}
static void c17(struct pci_dev *pdev)
{
	a16(pdev);
	b16(pdev);
	c16(pdev);
}
static void a18(struct pci_dev *pdev)
{
	a17(pdev);
	b17(pdev);
	c17(pdev);
}
static void b18(struct pci_dev *pdev)
{
	a17(pdev);
	b17(pdev);
	c17(pdev);
}
static void c18(struct pci_dev *pdev)
{
	a17(pdev);
	b17(pdev);
	c17(pdev);
}
static void a19(struct pci_dev *pdev)
{
	a18(pdev);
	b18(pdev);
	c18(pdev);
}
static void b19(struct pci_dev *pdev)
{
	a18(pdev);
	b18(pdev);
	c18(pdev);
}
static void c19(struct pci_dev *pdev)
{
	a18(pdev);
	b18(pdev);
	c18(pdev);
}
